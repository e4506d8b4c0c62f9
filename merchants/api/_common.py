"""What every merchant API module shares."""

TAGS = ["merchants"]
