"""The feed pages: the live feed, load-more fragments and permalinks."""
