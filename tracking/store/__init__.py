"""MongoDB access: the process-wide client, collections and their indexes, repositories."""
