"""Outputs: terminal tables, JSON, Excel workbooks. Only this package writes files."""
