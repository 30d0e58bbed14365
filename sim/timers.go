package sim

// TimerID names a pending timer: a slot index in the high half and the slot's
// generation in the low half, so a stale ID never cancels or fires a newer
// timer that reuses the slot.
type TimerID uint64

type timerSlot struct {
	gen  uint32
	live bool
	tag  uint64
}

// timerTable holds one node's timers. Slots are recycled through a free
// list, so steady-state timer churn allocates nothing.
type timerTable struct {
	slots []timerSlot
	free  []uint32
}

func (t *timerTable) add(tag uint64) TimerID {
	var i uint32
	if n := len(t.free); n > 0 {
		i = t.free[n-1]
		t.free = t.free[:n-1]
	} else {
		i = uint32(len(t.slots))
		t.slots = append(t.slots, timerSlot{})
	}
	s := &t.slots[i]
	s.live, s.tag = true, tag
	return TimerID(uint64(i)<<32 | uint64(s.gen))
}

// take consumes a live timer: it reports its tag and whether id was still
// pending, and frees the slot either way it was live.
func (t *timerTable) take(id TimerID) (tag uint64, ok bool) {
	i := uint32(id >> 32)
	if int(i) >= len(t.slots) {
		return 0, false
	}
	s := &t.slots[i]
	if !s.live || s.gen != uint32(id) {
		return 0, false
	}
	tag = s.tag
	s.live = false
	s.gen++
	t.free = append(t.free, i)
	return tag, true
}

// clear cancels every pending timer, as a crash does.
func (t *timerTable) clear() {
	for i := range t.slots {
		if s := &t.slots[i]; s.live {
			s.live = false
			s.gen++
			t.free = append(t.free, uint32(i))
		}
	}
}
