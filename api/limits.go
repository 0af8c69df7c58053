package api

import "time"

// Limits bound what one caller can make the API hold: message sizes, streams, uploads and
// failed authentication attempts. Zero fields take the defaults (DefaultLimits).
type Limits struct {
	// MaxMessageBytes bounds a unary RPC's message, compressed on the wire and decompressed.
	MaxMessageBytes int64
	// MaxUploadMessageBytes bounds StartImport, whose message carries the file.
	MaxUploadMessageBytes int64
	// WatchStreamsPerCompany caps the WatchImport streams a company has open at once.
	WatchStreamsPerCompany int
	// WatchLifetime ends a WatchImport stream after this long; the client watches again.
	WatchLifetime time.Duration
	// UploadSlots bounds the streaming uploads at once, UploadSlotsPerCompany those of one
	// company among them, so one company's slow uploads cannot hold every slot.
	UploadSlots           int
	UploadSlotsPerCompany int
	// UploadTimeout is how long one streaming upload may take.
	UploadTimeout time.Duration
	// UnknownTokensPerMinute is how many unknown credentials one client address may send a
	// minute (a burst of as many) before its requests are refused for a while.
	UnknownTokensPerMinute int
}

// DefaultLimits are the limits of a server that sets none.
var DefaultLimits = Limits{
	MaxMessageBytes:        1 << 20,
	MaxUploadMessageBytes:  MaxUploadBytes + 1<<20,
	WatchStreamsPerCompany: 20,
	WatchLifetime:          time.Hour,
	UploadSlots:            2, // each holds one of the API pool's connections (4 on a small host)
	UploadSlotsPerCompany:  1,
	UploadTimeout:          10 * time.Minute,
	UnknownTokensPerMinute: 20,
}

// withDefaults fills the zero fields of l from DefaultLimits.
func (l Limits) withDefaults() Limits {
	d := DefaultLimits
	pick64 := func(v *int64, def int64) {
		if *v <= 0 {
			*v = def
		}
	}
	pick := func(v *int, def int) {
		if *v <= 0 {
			*v = def
		}
	}
	pickDur := func(v *time.Duration, def time.Duration) {
		if *v <= 0 {
			*v = def
		}
	}
	pick64(&l.MaxMessageBytes, d.MaxMessageBytes)
	pick64(&l.MaxUploadMessageBytes, d.MaxUploadMessageBytes)
	pick(&l.WatchStreamsPerCompany, d.WatchStreamsPerCompany)
	pickDur(&l.WatchLifetime, d.WatchLifetime)
	pick(&l.UploadSlots, d.UploadSlots)
	pick(&l.UploadSlotsPerCompany, d.UploadSlotsPerCompany)
	pickDur(&l.UploadTimeout, d.UploadTimeout)
	pick(&l.UnknownTokensPerMinute, d.UnknownTokensPerMinute)
	if l.UploadSlotsPerCompany > l.UploadSlots {
		l.UploadSlotsPerCompany = l.UploadSlots
	}
	return l
}
