"""The achievement sharing library (standard §5.6, App. G, App. H): admission, share levels and
who may read (access.py, the one rule), directed sharing requests, licence agreements, delisting."""
