"""Following a parcel without an account: an Atom feed, a calendar entry, Web Push and email notifications,
kept up to date by Huey tasks that refresh followed parcels in the background."""
