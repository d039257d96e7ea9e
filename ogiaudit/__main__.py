"""`python -m ogiaudit …` is `ogiaudit …` (the scheduler runs jobs this way in child processes)."""
from ogiaudit.cli import main

main()
