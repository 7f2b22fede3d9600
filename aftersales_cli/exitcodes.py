"""Exit codes (cli.md): one enum, used only by cli/."""
from enum import IntEnum, unique


@unique
class ExitCode(IntEnum):
    OK = 0              # done; no error findings
    FINDINGS = 1        # validate: error findings present (format too with --strict)
    CANNOT_RUN = 2      # bad usage, unreadable input, broken rubric
    BATCH_PARTIAL = 3   # batch: at least one city could not be scored
