"""Block Kit views: pure functions from domain data to Slack message/view dicts.

Built with ``slack_sdk.models`` so Slack's size limits fail in offline tests, not in Slack.
"""
