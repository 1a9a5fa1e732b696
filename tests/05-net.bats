#!/usr/bin/env bats
# step05 and later: the network namespace. Inside there is only lo, up;
# ports are the container's own; --net veth wires a pair, tested only
# inside a network namespace the test makes, never on the real network.

load helpers

@test "net: inside, the only interface is lo, and it is up" {
	run ctr sh -c 'ls /sys/class/net; ip -o link show | wc -l; ip -o link show lo'
	assert_success
	assert_equal "${lines[0]}" lo
	assert_equal "${lines[1]}" 1
	assert_line --index 2 --regexp '^1: lo: <LOOPBACK,UP,LOWER_UP>'
}

@test "net: lo has 127.0.0.1 and ::1, and 127.0.0.1 answers" {
	run ctr sh -c "ip -o addr show lo; $PROBE tcp-listen 127.0.0.1 7001 >/dev/null & sleep 0.3; $PROBE tcp-connect 127.0.0.1 7001"
	assert_success
	assert_output --partial "inet 127.0.0.1/8"
	if [ -e /proc/sys/net/ipv6/conf/lo ]; then
		assert_output --partial "inet6 ::1/128"
	fi
	assert_line hello
}

@test "net: no interface of the host is visible inside" {
	# a "host" with interfaces of its own, whatever machine this is
	make_lab
	in_lab ip link add stepbox-t0 type veth peer name stepbox-t1
	in_lab ls /sys/class/net >/dev/null
	[ "$(lab_links | grep -c stepbox-t)" -eq 2 ]
	run in_lab "$STEP_BIN" -- sh -c 'cat /proc/net/dev; ls /sys/class/net'
	assert_success
	refute_output --partial stepbox-t
	assert_line lo
}

@test "net: a TCP server inside is reachable inside and not from the host" {
	port=$((20000 + RANDOM % 20000))
	ctr_bg sh -c "$PROBE tcp-listen 127.0.0.1 $port > $WORK/x/server & sleep 0.3; touch $WORK/x/ready; $(handshake); $PROBE tcp-connect 127.0.0.1 $port > $WORK/x/inside"
	wait_for "$WORK/x/ready"
	grep -q listening "$WORK/x/server"
	# from the host: nobody listens there
	run "$PROBE" tcp-connect 127.0.0.1 "$port"
	assert_failure 1
	assert_output --partial "Connection refused"
	# from inside: the server answers (the host's refused try did not
	# reach it, so this is its first and only client)
	go
	ctr_wait
	assert_success
	assert_equal "$(cat "$WORK/x/inside")" hello
}

@test "net: a host listener on the same port does not clash with the container's" {
	port=$((20000 + RANDOM % 20000))
	"$PROBE" tcp-listen 127.0.0.1 "$port" >"$WORK/host-server" &
	host_server=$!
	TEARDOWN_EXTRA="kill $host_server 2>/dev/null || true"
	wait_for "$WORK/host-server"
	sleep 0.2
	run ctr sh -c "$PROBE tcp-listen 127.0.0.1 $port & sleep 0.3; $PROBE tcp-connect 127.0.0.1 $port"
	assert_success
	assert_line listening
	assert_line hello
	# the host's server is still waiting for its one connection
	running "$host_server"
}

@test "net: bad --net and --veth-net values exit 125" {
	run ctr --net bridge true
	assert_equal "$status" 125
	assert_output --partial "'bridge' is not loopback or veth"
	run ctr --net veth --veth-net 169.254.1.1/30 true
	assert_equal "$status" 125
	assert_output --partial "host bits set"
	run ctr --veth-net 10.0.0.0/31 true
	assert_equal "$status" 125
	run ctr --veth-net nonsense true
	assert_equal "$status" 125
}

# A network namespace of the test's own, to play the host in: held open
# by a sleeping process, entered with nsenter. (Not `ip netns add`, which
# leaves a mount on /run/netns behind the first time it runs.)
make_lab() {
	unshare --net sleep 600 &
	LAB_PID=$!
	TEARDOWN_EXTRA='kill $LAB_PID 2>/dev/null; wait $LAB_PID 2>/dev/null || true'
	for i in $(seq 50); do
		[ "$(readlink /proc/$LAB_PID/ns/net)" != "$(readlink /proc/self/ns/net)" ] && break
		sleep 0.05
	done
	LINKS_BEFORE=$(lab_links)
}

in_lab() {
	nsenter --net="/proc/$LAB_PID/ns/net" -- "$@"
}

lab_links() {
	in_lab ip -o link show | awk -F': ' '{ print $2 }'
}

@test "net: --net veth wires the container to the host end, both ways, and removes it" {
	make_lab
	nsenter -F --net="/proc/$LAB_PID/ns/net" -- "$STEP_BIN" "${WORK_VOLUME[@]}" --net veth --veth-net 169.254.42.0/30 -- sh -c "
		ip -o -4 addr show eth0
		busybox ping -c1 -W5 169.254.42.1 >/dev/null && echo container-to-host
		$(handshake)" >"$WORK/out" 2>&1 &
	CTR_PID=$!
	wait_for "$WORK/x/ready"
	# the host end lives in the lab namespace, named after the runtime
	in_lab ip -o -4 addr show | grep -q "169.254.42.1/30"
	in_lab busybox ping -c1 -W5 169.254.42.2 >/dev/null
	go
	ctr_wait
	assert_success
	assert_output --partial "inet 169.254.42.2/30"
	assert_line container-to-host
	assert_equal "$(lab_links)" "$LINKS_BEFORE"
}

@test "net: --net veth: the pair is gone after the runtime is killed with SIGKILL" {
	make_lab
	nsenter -F --net="/proc/$LAB_PID/ns/net" -- "$STEP_BIN" "${WORK_VOLUME[@]}" --net veth -- sh -c "$(handshake)" >"$WORK/out" 2>&1 &
	CTR_PID=$!
	wait_for "$WORK/x/ready"
	# nsenter -F execs the runtime; the host end is named after its child
	lab_links | grep -q "^stepbox$(ctr_pid1)@"
	kill -KILL "$CTR_PID"
	ctr_wait
	# the kernel destroys the pair with the container's namespace, a
	# moment later, from a work queue
	for i in $(seq 50); do
		[ "$(lab_links)" = "$LINKS_BEFORE" ] && break
		sleep 0.1
	done
	assert_equal "$(lab_links)" "$LINKS_BEFORE"
}
