"""Statistics for the offices: how the cases of their scope stand and move (app/services/statistics/offices.py)."""
