"""lip_research — a research workbench for learning from child safeguarding case reviews.

Stages, one module each: ``ingest`` (files to passages), ``embed``, ``topics``,
``evaluate``, ``themes`` (Learning into Practice lenses), ``figures`` and ``report``;
``config`` holds the one run configuration and ``io`` every file-system access.
Nothing happens at import time.
"""

__version__ = "0.1.0"
