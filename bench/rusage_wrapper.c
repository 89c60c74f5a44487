/* A provider binary's stand-in that records the provider's own CPU: bench/terraform_e2e.py.
 *
 * Terraform execs this in place of a provider (dev_overrides point at its directory). It starts the
 * real provider (TARGET, fixed at compile time) as its child with the same arguments, environment and
 * file descriptors, forwards the signals Terraform sends, and when the child ends appends one line,
 * "<user microseconds> <system microseconds>\n", of the child's own rusage (wait4) to the file named
 * by BENCH_RUSAGE_FILE; then exits as the child did. Terraform's own CPU is in none of it, which
 * getrusage(RUSAGE_CHILDREN) of Terraform cannot tell apart.
 *
 * Written in C so that the stand-in adds ~1 ms, not a Python start-up, to each launch's wall time.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#ifndef TARGET
#error "compile with -DTARGET='\"/path/to/the/real/provider\"'"
#endif

static volatile pid_t child;

static void forward(int signum) {
    if (child > 0) kill(child, signum);
}

int main(int argc, char **argv) {
    (void)argc;
    struct sigaction action = {0};
    action.sa_handler = forward;
    sigaction(SIGINT, &action, NULL);
    sigaction(SIGTERM, &action, NULL);
    sigaction(SIGHUP, &action, NULL);
    child = fork();
    if (child < 0) return 127;
    if (child == 0) {
        argv[0] = TARGET;
        execv(TARGET, argv);
        _exit(127);
    }
    int status = 0;
    struct rusage usage;
    pid_t done;
    do {
        done = wait4(child, &status, 0, &usage);
    } while (done < 0 && errno == EINTR);
    const char *path = getenv("BENCH_RUSAGE_FILE");
    if (done == child && path != NULL) {
        FILE *out = fopen(path, "a");
        if (out != NULL) {
            fprintf(out, "%ld %ld\n", (long)usage.ru_utime.tv_sec * 1000000L + usage.ru_utime.tv_usec,
                    (long)usage.ru_stime.tv_sec * 1000000L + usage.ru_stime.tv_usec);
            fclose(out);
        }
    }
    if (WIFEXITED(status)) return WEXITSTATUS(status);
    return 128 + (WIFSIGNALED(status) ? WTERMSIG(status) : 0);
}
