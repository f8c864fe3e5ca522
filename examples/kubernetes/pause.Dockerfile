# A pod sandbox ("pause") image whose process is minit --pause: it holds the
# pod's namespaces, sleeps, reaps every orphan of a shared PID namespace
# (shareProcessNamespace: true), and exits 0 on TERM or INT. Build it next to
# a static minit:
#   tar -c minit -C examples/kubernetes pause.Dockerfile |
#       docker build -f pause.Dockerfile -t registry.example.com/minit-pause:0.1.0 -
# and point the container runtime at it (README.md here: containerd's
# sandbox_image). tests/e2e/50-pod.bats runs this image as a pod's sandbox.
FROM scratch
COPY minit /minit
# MINIT_PAUSE too, for runtimes that run the image with a command of their
# own and no arguments (CRI-O: pause_command = "/minit")
ENV MINIT_PAUSE=1
# the same unprivileged user as registry.k8s.io/pause: reaping needs no root
USER 65535:65535
ENTRYPOINT ["/minit", "--pause"]
