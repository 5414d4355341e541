"""Text in files of unknown encoding and CSV of unknown dialect: mail parts and
attachments, and the MIS exports the roster is imported from, read the same way."""
