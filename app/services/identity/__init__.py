"""Users, groups and units; who may do what; who belongs to a group."""
