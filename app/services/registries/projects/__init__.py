"""The breakthrough project library (standard §5.5, App. E, App. F)."""
