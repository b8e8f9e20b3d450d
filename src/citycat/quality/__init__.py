"""The six standards, MQA and freshness: scores, the committee's report, link status."""
