# The FROM scratch variant: static binaries only, no libc, no package manager,
# for the fastest end-to-end tests. setup_suite.bash assembles the context:
#   rootfs/sbin/minit               the static minit under test
#   rootfs/bin/busybox              busybox-static (sh, ps, kill, wget, nc, ...;
#                                   its links are made by the RUN below)
#   rootfs/usr/local/bin/           static probes: sigrec, orphans, crash,
#                                   sigprobe, prefork-server
#   rootfs/etc/passwd, etc/group    root and nobody
#   rootfs/tmp                      mode 1777
# Built with `docker build --network none`; nothing is compiled here.
FROM scratch
COPY rootfs/ /
RUN ["/bin/busybox", "--install", "-s", "/bin"]
ENV PATH=/usr/local/bin:/bin:/sbin
ENTRYPOINT ["/sbin/minit", "--"]
CMD ["prefork-server", "-l", "127.0.0.1:8080"]
