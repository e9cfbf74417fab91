"""Posts: composing, media attachments, deletion."""
