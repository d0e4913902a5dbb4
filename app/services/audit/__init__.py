"""The hash-chained audit trail, its replay, search, bottleneck report and exports."""
