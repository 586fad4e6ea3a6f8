"""Named migrations, oldest first."""
