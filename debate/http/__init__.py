"""The HTTP layer under the views: the whole-page cache, the Redis client, the replica router."""
