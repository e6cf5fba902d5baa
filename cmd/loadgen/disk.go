package main

import (
	"io/fs"
	"path/filepath"
	"strings"
)

type sizes struct{ data, appDB int64 }

func dirSizes(home string) sizes {
	var s sizes
	data := filepath.Join(home, "data")
	_ = filepath.WalkDir(data, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return nil
		}
		info, err := d.Info()
		if err != nil {
			return nil
		}
		s.data += info.Size()
		if strings.HasPrefix(path, filepath.Join(data, "application.db")+string(filepath.Separator)) {
			s.appDB += info.Size()
		}
		return nil
	})
	return s
}

func diskStats(home string, start, end sizes, done []TaskRecord, h0, h1 int64) DiskStats {
	d := DiskStats{DataDir: filepath.Join(home, "data"), FromHeight: h0, ToHeight: h1,
		BytesStart: start.data, BytesEnd: end.data, AppDBStart: start.appDB, AppDBEnd: end.appDB}
	for _, t := range done {
		if t.ProofH > h0 && t.ProofH <= h1 {
			d.TasksVerified++
		}
	}
	if d.TasksVerified > 0 {
		d.BytesPerTask = float64(end.data-start.data) / float64(d.TasksVerified)
		d.AppDBBytesPerTask = float64(end.appDB-start.appDB) / float64(d.TasksVerified)
	}
	return d
}
