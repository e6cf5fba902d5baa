package b

func skipped(m map[int]int) {
	for range m {
	}
}
