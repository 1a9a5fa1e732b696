/*
 * nsclone.c — what each namespace costs when clone(2) makes it.
 *
 * For no flag, each CLONE_NEW* flag alone, and all of step10's together:
 * RUNS times clone(flag | SIGCHLD) a child that exits at once, and wait
 * for it. Prints CSV, one line per flag: the median and the fastest time
 * of clone + exit + wait, in microseconds. The namespaces' teardown is
 * in it where the kernel does it before the parent hears of the exit
 * (a mount namespace's); a network namespace's is not (the kernel frees it
 * later, in a worker), which is why it looks cheaper here than in a run.
 *
 *   make bench               (scripts/bench.sh runs it)
 *   sudo build/bench/nsclone 200
 */
#define _GNU_SOURCE
#include <errno.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define STACK_SIZE ((size_t)64 * 1024)

static const struct {
	const char *name;
	int flags;
} cases[] = {
	{ "none", 0 },
	{ "CLONE_NEWUTS", CLONE_NEWUTS },
	{ "CLONE_NEWIPC", CLONE_NEWIPC },
	{ "CLONE_NEWPID", CLONE_NEWPID },
	{ "CLONE_NEWNS", CLONE_NEWNS },
	{ "CLONE_NEWNET", CLONE_NEWNET },
	{ "CLONE_NEWUSER", CLONE_NEWUSER },
	{ "CLONE_NEWCGROUP", CLONE_NEWCGROUP },
	{ "all of step10's", CLONE_NEWUTS | CLONE_NEWIPC | CLONE_NEWPID | CLONE_NEWNS |
				 CLONE_NEWNET | CLONE_NEWUSER | CLONE_NEWCGROUP },
};

static int child(void *arg)
{
	(void)arg;
	_exit(0);
}

static double now_us(void)
{
	struct timespec ts;

	if (clock_gettime(CLOCK_MONOTONIC, &ts) != 0) {
		perror("nsclone: clock_gettime");
		exit(1);
	}
	return (double)ts.tv_sec * 1e6 + (double)ts.tv_nsec / 1e3;
}

static int by_value(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

/* One clone + exit + wait of FLAGS, in microseconds. */
static double one_clone(char *stack_top, int flags, const char *name)
{
	double t0 = now_us();
	pid_t pid = clone(child, stack_top, flags | SIGCHLD, NULL);
	int status;

	if (pid < 0) {
		fprintf(stderr, "nsclone: clone(%s): %s\n", name, strerror(errno));
		exit(1);
	}
	if (waitpid(pid, &status, 0) != pid) {
		fprintf(stderr, "nsclone: waitpid(%d): %s\n", (int)pid, strerror(errno));
		exit(1);
	}
	return now_us() - t0;
}

int main(int argc, char **argv)
{
	char *end = NULL;
	long runs = argc == 2 ? strtol(argv[1], &end, 10) : 0;
	enum { NCASES = sizeof(cases) / sizeof(cases[0]) };
	char *stack;
	double *t[NCASES];

	if (argc != 2 || *end || runs < 1 || runs > 100000) {
		fprintf(stderr, "usage: nsclone RUNS (1-100000)\n");
		return 2;
	}
	if (geteuid() != 0) {
		fprintf(stderr, "nsclone: run it as root (new namespaces need it)\n");
		return 1;
	}
	stack = mmap(NULL, STACK_SIZE, PROT_READ | PROT_WRITE,
		     MAP_PRIVATE | MAP_ANONYMOUS | MAP_STACK, -1, 0);
	if (stack == MAP_FAILED) {
		perror("nsclone: mmap");
		return 1;
	}
	for (size_t c = 0; c < NCASES; c++) {
		t[c] = calloc((size_t)runs, sizeof(double));
		if (!t[c]) {
			fprintf(stderr, "nsclone: out of memory\n");
			return 1;
		}
		for (int w = 0; w < 5; w++) /* warm-up */
			one_clone(stack + STACK_SIZE, cases[c].flags, cases[c].name);
	}
	/* Round robin, so that a slow second of the machine falls on every
	 * flag alike. */
	for (long i = 0; i < runs; i++)
		for (size_t c = 0; c < NCASES; c++)
			t[c][i] = one_clone(stack + STACK_SIZE, cases[c].flags, cases[c].name);
	printf("flag,median_us,min_us\n");
	for (size_t c = 0; c < NCASES; c++) {
		qsort(t[c], (size_t)runs, sizeof(double), by_value);
		printf("%s,%.1f,%.1f\n", cases[c].name, t[c][runs / 2], t[c][0]);
		free(t[c]);
	}
	return 0;
}
