"""The web dashboard's web side: routes, Sign in with Slack, sessions (`app.DashboardApp`)."""
