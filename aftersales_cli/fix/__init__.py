"""`aftersales fix`: the standard form of every fixable format finding (fixes.md §2)."""
