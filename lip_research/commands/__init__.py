"""Command-line entry points, one module per stage; heavy imports stay inside the functions."""
