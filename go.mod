module github.com/totuquan/totuquan

go 1.26.0

require (
	go.etcd.io/bbolt v1.4.3
	golang.org/x/text v0.44.0
)

require golang.org/x/sys v0.29.0 // indirect
