"""The rubric: YAML model, loader and scoring engine."""
