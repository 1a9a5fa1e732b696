/*
 * spec.h — an OCI bundle's config.json (and exec's process.json), read
 * into what the command line of steps 01-10 fills: the same cgroup
 * limits, the same capability sets and resource limits.
 */
#ifndef STEPBOX_SPEC_H
#define STEPBOX_SPEC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "caps.h"
#include "cgroup.h"
#include "dev.h"
#include "rlimits.h"

#define SPEC_MAX_MOUNTS	 64
#define SPEC_MAX_PATHS	 64
#define SPEC_MAX_GROUPS	 64
#define SPEC_MAX_SYSCTL	 32
#define SPEC_NS_TYPES	 8
#define SPEC_MAX_DEVICES 256 /* linux.devices: podman --privileged lists every host node */

struct json_object;

/* process: what runs, as whom, with what. */
struct spec_process {
	char **args; /* NULL-terminated */
	char **env;
	const char *cwd;
	uid_t uid;
	gid_t gid;
	gid_t groups[SPEC_MAX_GROUPS]; /* additionalGids */
	size_t ngroups;
	bool terminal;
	bool no_new_privileges;
	struct capsets caps; /* process.capabilities, all five sets as given */
	struct ulimit rlimits[MAX_ULIMITS];
	size_t nrlimits;
	bool has_umask;
	mode_t umask;
	bool has_oom_score_adj;
	int oom_score_adj; /* -1000 (never killed) to 1000 (killed first) */
};

/* mounts[i]: mount(2)'s arguments, from "options" split into flags and data. */
struct spec_mount {
	const char *destination, *type, *source;
	unsigned long flags;	   /* MS_RDONLY, MS_NOSUID, ... */
	unsigned long propagation; /* MS_PRIVATE, ... with MS_REC, or 0 */
	bool bind, recursive;
	bool proc_ok;		   /* /proc itself, or a file of lxcfs's: may lie on procfs */
	bool tmpcopyup;		   /* a tmpfs that starts with a copy of the directory under it */
	uint64_t rec_set, rec_clr; /* rro, rnosuid, ...: MOUNT_ATTR_* for the mounts below too */
	char data[512];		   /* the rest: "mode=755,size=65536k" */
};

/* hooks: the runtime-spec's six lists, in the order the lifecycle runs them. */
enum spec_hook_kind {
	SPEC_HOOK_PRESTART, /* deprecated: as createRuntime, just before it */
	SPEC_HOOK_CREATE_RUNTIME,
	SPEC_HOOK_CREATE_CONTAINER,
	SPEC_HOOK_START_CONTAINER,
	SPEC_HOOK_POSTSTART,
	SPEC_HOOK_POSTSTOP,
	SPEC_HOOK_KINDS
};

/* hooks.KIND[i]: a program, execve's three arguments and a time limit. */
struct spec_hook {
	const char *path; /* absolute */
	char **args;	  /* argv, NULL-terminated: "args", or {path} */
	char **env;	  /* "env", or NULL: the default of the hook's kind (hooks.c) */
	int timeout;	  /* seconds; 0: none */
};

/* The names config.json gives them: "prestart", "createRuntime", ... */
extern const char *const spec_hook_names[SPEC_HOOK_KINDS];

/* linux.namespaces[i]: a new one (path NULL) or the one at path. */
struct spec_namespace {
	int flag; /* CLONE_NEWPID, ... */
	const char *type, *path;
};

struct spec {
	struct json_object *doc; /* owns every string below */
	const char *root_path;	 /* as written: relative to the bundle, or absolute */
	bool root_readonly;
	const char *hostname;
	struct spec_process process;
	struct spec_mount mounts[SPEC_MAX_MOUNTS];
	size_t nmounts;
	struct spec_namespace namespaces[SPEC_NS_TYPES];
	size_t nnamespaces;
	int clone_flags;		 /* the namespaces to make new */
	char uid_map[256], gid_map[256]; /* "0 100000 65536\n", as /proc/PID/uid_map takes */
	struct cgroup_limits limits;
	const char *cgroups_path; /* linux.cgroupsPath, or NULL */
	const char *masked[SPEC_MAX_PATHS], *readonly[SPEC_MAX_PATHS];
	size_t nmasked, nreadonly;
	struct json_object *seccomp; /* linux.seccomp, translated by spec_seccomp_load */
	struct dev_node devices[SPEC_MAX_DEVICES];
	char device_names[SPEC_MAX_DEVICES][64];
	size_t ndevices;
	const char *sysctl_keys[SPEC_MAX_SYSCTL], *sysctl_values[SPEC_MAX_SYSCTL];
	int sysctl_ns[SPEC_MAX_SYSCTL]; /* the namespace each belongs to: CLONE_NEWNET, ... */
	size_t nsysctl;
	unsigned long rootfs_propagation; /* linux.rootfsPropagation; default MS_PRIVATE */
	struct json_object *annotations;
	struct spec_hook *hooks[SPEC_HOOK_KINDS];
	size_t nhooks[SPEC_HOOK_KINDS];
};

/* Read DIR/config.json into S; exits 1 with the field's JSON path and
 * why when something is wrong or not supported. Touches nothing. */
void spec_load_config(struct spec *s, int bundle_dir, const char *bundle);
/* linux.resources (RES, NULL for none) into L, zeroed by the caller
 * (also `update`'s --resources): exits 1 naming the field's JSON path
 * when it is wrong, or cannot be applied on this host's cgroups. */
void spec_read_resources(struct cgroup_limits *l, struct json_object *res);
/* Read an exec's process.json into P (strings owned by *DOC). */
void spec_load_process(struct spec_process *p, struct json_object **doc, const char *path);
/* Does the config have namespace FLAG, new or joined? */
bool spec_has_namespace(const struct spec *s, int flag);
/* Build the seccomp filter of linux.seccomp (NULL: none); returns
 * libseccomp's context, to load with spec_seccomp_load as late as can be.
 * Loading it does not set no_new_privs (process.noNewPrivileges does):
 * without it, the loading process must hold CAP_SYS_ADMIN. */
void *spec_seccomp_build(struct json_object *seccomp);
void spec_seccomp_load(void *ctx);

#endif
