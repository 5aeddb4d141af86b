"""What people read: the text report, the scorecard HTML page and the call audio it embeds."""
