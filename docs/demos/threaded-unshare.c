/*
 * threaded-unshare.c — lesson 06: a process with more than one thread
 * may not create a user namespace (unshare(CLONE_NEWUSER): EINVAL, in
 * the kernel's check_unshare_flags), because a user namespace changes the
 * credentials of the whole process and the other threads would keep the
 * old ones. runc makes its namespaces in C (nsexec.c) before the Go
 * runtime starts its threads for this reason.
 *
 *   cc -pthread -o /var/tmp/threaded-unshare docs/demos/threaded-unshare.c && /var/tmp/threaded-unshare
 */
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

static void *nap(void *arg)
{
	(void)arg;
	sleep(1);
	return NULL;
}

/* Threads: in /proc/self/status. pthread_join returns when the thread
 * has cleared its tid, a moment before the kernel has taken it out of
 * the thread group: wait for that too. */
static int threads(void)
{
	FILE *f = fopen("/proc/self/status", "r");
	char line[256];
	int n = -1;

	while (f && fgets(line, sizeof(line), f))
		if (sscanf(line, "Threads: %d", &n) == 1)
			break;
	if (f)
		fclose(f);
	return n;
}

int main(void)
{
	pthread_t thread;
	int r;

	if (pthread_create(&thread, NULL, nap, NULL) != 0) {
		perror("pthread_create");
		return 1;
	}
	r = unshare(CLONE_NEWUSER);
	printf("two threads: unshare(CLONE_NEWUSER) = %d %m\n", r);
	pthread_join(thread, NULL);
	while (threads() > 1)
		usleep(1000);
	r = unshare(CLONE_NEWUSER);
	printf("one thread:  unshare(CLONE_NEWUSER) = %d%s%s\n", r, r < 0 ? " " : "",
	       r < 0 ? strerror(errno) : "");
	return 0;
}
