// Parent-death watch, preloaded (`node --import`) into every child the Supervisor starts. The Supervisor
// gives the child one end of a pipe as fd MTL_SPLIT_PARENT_FD and never writes to it; when the parent
// goes, however it goes (kill -9 included), the kernel closes its end and this read sees end-of-file: the
// child then stops itself with SIGTERM (the cloud drains), and exits for good 15 s later if still up.
import net from 'node:net';

const fd = Number(process.env.MTL_SPLIT_PARENT_FD);
if (Number.isInteger(fd) && fd > 2) {
  delete process.env.MTL_SPLIT_PARENT_FD; // not inherited by grandchildren
  try {
    const pipe = new net.Socket({ fd, readable: true, writable: false });
    pipe.on('error', () => undefined);
    pipe.on('data', () => undefined);
    pipe.once('close', () => {
      setTimeout(() => process.exit(1), 15_000).unref();
      process.kill(process.pid, 'SIGTERM');
    });
    pipe.unref(); // the watch alone does not keep the child alive
  } catch {
    /* no such fd: started by hand */
  }
}
