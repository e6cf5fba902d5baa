package b

func checked(m map[int]int) {
	for range m { // want `range over map m`
	}
}
