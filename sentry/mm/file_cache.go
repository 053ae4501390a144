package mm

import (
	"sync"

	"stockade.dev/sentry/memfile"
)

// FileKey identifies a version of a file's contents: a cached page is used
// only while the file's identity, size and modification time match.
type FileKey struct {
	Dev, Ino   uint64
	Size       int64
	MtimeNanos int64
}

// Cacheable is implemented by mappable files whose pages may be shared
// through the page cache (their contents do not change behind the sentry's
// back without changing FileKey).
type Cacheable interface {
	CacheKey() (FileKey, bool)
}

// fileCache shares the pages of files mapped privately (executables and
// libraries, above all) between every mapping and every process: exec of a
// cached program copies nothing. Pages are mapped read-only and copied on
// write. The cache holds one reference on each page it stores. mu guards
// files and pages.
type fileCache struct {
	mf    *memfile.File
	mu    sync.Mutex
	files map[FileKey]map[uint64]uint64 // page index -> memory-file offset
	pages int
}

// fileCacheLimit bounds the cache (in pages): 512 MiB.
const fileCacheLimit = 512 << 20 / PageSize

var (
	cachesMu sync.Mutex
	caches   = map[*memfile.File]*fileCache{}
)

func cacheFor(mf *memfile.File) *fileCache {
	cachesMu.Lock()
	defer cachesMu.Unlock()
	c := caches[mf]
	if c == nil {
		c = &fileCache{mf: mf, files: map[FileKey]map[uint64]uint64{}}
		caches[mf] = c
	}
	return c
}

// lookup returns the cached page idx of key with a new reference.
func (c *fileCache) lookup(key FileKey, idx uint64) (uint64, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	off, ok := c.files[key][idx]
	if ok {
		c.mf.IncRef(off, PageSize)
	}
	return off, ok
}

// insert stores pages [idx, idx+n) of key at memory-file offset off (which
// the caller allocated and filled), taking a reference of the cache's own
// on each page it stores (pages already cached are skipped). It reports
// whether there was room.
func (c *fileCache) insert(key FileKey, idx uint64, off uint64, n int) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.pages+n > fileCacheLimit {
		return false
	}
	m := c.files[key]
	if m == nil {
		m = map[uint64]uint64{}
		c.files[key] = m
	}
	for i := 0; i < n; i++ {
		if _, dup := m[idx+uint64(i)]; dup {
			continue
		}
		m[idx+uint64(i)] = off + uint64(i)*PageSize
		c.mf.IncRef(off+uint64(i)*PageSize, PageSize)
		c.pages++
	}
	return true
}
