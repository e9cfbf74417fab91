"""The encoder: uploaded photos, animations and videos made fit for the feed.

``encoder.media`` holds the media work as plain functions of files (probe, encode);
``encoder.ffmpeg`` runs ffmpeg and ffprobe with a time limit; the worker moves files
between the stores and the database around them.
"""
