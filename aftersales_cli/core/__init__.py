"""The core every layer imports: findings, result types and the small cell rules.

Nothing here imports another layer of the package (read/, formats/, validate/, metrics/, rubric/,
report/, cli/), so the layers can all depend on it and still point one way.
"""
