package a

func inTests(m map[int]int) {
	for range m {
	}
	go func() {}()
}
