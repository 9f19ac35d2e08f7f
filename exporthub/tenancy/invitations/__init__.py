"""Invitations: the email with its link, and the page where the invitee accepts."""
