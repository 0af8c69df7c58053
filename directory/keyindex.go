package directory

import (
	"hash/maphash"
	"slices"
)

// A million people or rows are looked up by email, employee id or source id while a large
// import is planned. A Go map of a million strings takes about 50 MiB; these indexes keep
// 8 bytes an item: the key's 32-bit hash above the item's position, sorted, so equal hashes
// sit together with their items in order. Keys are compared on a hash match.

type hashedItem uint64

func (h hashedItem) hash() uint32 { return uint32(h >> 32) }
func (h hashedItem) item() int32  { return int32(uint32(h)) }

// hashItems hashes the key of every item 0..n-1 that has one (key "" = none) and sorts them.
func hashItems(seed maphash.Seed, n int, key func(int32) string) []hashedItem {
	out := make([]hashedItem, 0, n)
	for i := range int32(n) {
		if k := key(i); k != "" {
			out = append(out, hashedItem(maphash.String(seed, k)&^0xffffffff|uint64(uint32(i))))
		}
	}
	slices.Sort(out)
	return out
}

// keyIndex finds an item by its key; of items with the same key, the first is found.
type keyIndex struct {
	seed  maphash.Seed
	items []hashedItem
	key   func(int32) string
}

// newKeyIndex indexes the items 0..n-1 with a key for which include (nil: all) holds. key
// must keep giving an indexed item's key for as long as the index is used.
func newKeyIndex(n int, key func(int32) string, include func(int32) bool) keyIndex {
	x := keyIndex{seed: maphash.MakeSeed(), key: key}
	indexed := key
	if include != nil {
		indexed = func(i int32) string {
			if !include(i) {
				return ""
			}
			return key(i)
		}
	}
	x.items = hashItems(x.seed, n, indexed)
	return x
}

// find returns the first item whose key is k.
func (x *keyIndex) find(k string) (int32, bool) {
	if k == "" || len(x.items) == 0 {
		return none, false
	}
	h := uint32(maphash.String(x.seed, k) >> 32)
	at, _ := slices.BinarySearchFunc(x.items, h, func(e hashedItem, h uint32) int {
		switch {
		case e.hash() < h:
			return -1
		case e.hash() > h:
			return 1
		}
		return 0
	})
	for ; at < len(x.items) && x.items[at].hash() == h; at++ {
		if item := x.items[at].item(); x.key(item) == k {
			return item, true
		}
	}
	return none, false
}

// keyRows finds the rows that share a key; only duplicated keys keep their row lists.
type keyRows struct {
	dups map[string][]int32
}

// occurrences groups the rows with the same non-empty key.
func occurrences(n int, key func(int) string) keyRows {
	rowKey := func(i int32) string { return key(int(i)) }
	items := hashItems(maphash.MakeSeed(), n, rowKey)
	var k keyRows
	for start := 0; start < len(items); {
		end := start + 1
		for end < len(items) && items[end].hash() == items[start].hash() {
			end++
		}
		// Rows of one hash, in row order; different keys with the same hash are told apart here.
		for i := start; i < end && end-start > 1; i++ {
			s := rowKey(items[i].item())
			if k.dups[s] != nil {
				continue // already grouped with an earlier row
			}
			var group []int32
			for j := i + 1; j < end; j++ {
				if rowKey(items[j].item()) == s {
					if group == nil {
						group = []int32{items[i].item()}
					}
					group = append(group, items[j].item())
				}
			}
			if group != nil {
				if k.dups == nil {
					k.dups = map[string][]int32{}
				}
				k.dups[s] = group
			}
		}
		start = end
	}
	return k
}
