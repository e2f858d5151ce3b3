"""The web dashboard's pages: who sees what (`access`), each page as data through the
privacy gate (`flow`), and as HTML (`render`). Pure: the web side is `bot.dashboard`."""
