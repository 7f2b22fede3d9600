"""aftersales-cli: read, validate and score the monthly after-sales workbooks."""

__version__ = "0.1.0"
