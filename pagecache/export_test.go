package pagecache

// WaitRefreshes waits for the background refreshes started so far, so that a test sees their
// answers without sleeping.
func (c *Cache) WaitRefreshes() { c.refreshing.Wait() }
