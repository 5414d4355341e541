"""Reading a message (parse, extract attachments) and scanning it in worker processes."""
