"""Long runs that prove exports survive kills, cloud faults and outages (`make reliability`)."""
