"""`python -m reportkit`."""
from .cli import run

run()
