package io.baton.agent.repair;

import com.sun.jna.FunctionMapper;
import com.sun.jna.LastErrorException;
import com.sun.jna.Library;
import com.sun.jna.Native;
import com.sun.jna.NativeLibrary;
import com.sun.jna.ptr.IntByReference;

import java.util.Map;

/**
 * {@link LibC} through JNA's direct mapping: static natives bound once, instead of an interface
 * proxy that converts every argument by reflection on every call. A handoff makes about fifteen
 * of these calls; profiled in Mininet, the proxy's {@code Function.invoke} and argument checks
 * were the agent's largest Java cost per handoff.
 */
final class DirectLibC implements LibC {
    static {
        // The natives are named socket0, bind0, ...: the instance methods of LibC take the plain names.
        FunctionMapper dropZero = (library, method) -> method.getName().substring(0, method.getName().length() - 1);
        Native.register(DirectLibC.class,
                NativeLibrary.getInstance("c", Map.of(Library.OPTION_FUNCTION_MAPPER, dropZero)));
    }

    private static native int socket0(int domain, int type, int protocol) throws LastErrorException;

    private static native int setsockopt0(int fd, int level, int optname, byte[] optval, int optlen)
            throws LastErrorException;

    private static native int getsockopt0(int fd, int level, int optname, byte[] optval, IntByReference optlen)
            throws LastErrorException;

    private static native int bind0(int fd, byte[] addr, int addrlen) throws LastErrorException;

    private static native int connect0(int fd, byte[] addr, int addrlen) throws LastErrorException;

    private static native int listen0(int fd, int backlog) throws LastErrorException;

    private static native int accept0(int fd, byte[] addr, IntByReference addrlen) throws LastErrorException;

    private static native long send0(int fd, byte[] buf, long len, int flags) throws LastErrorException;

    private static native long recv0(int fd, byte[] buf, long len, int flags) throws LastErrorException;

    private static native int getsockname0(int fd, byte[] addr, IntByReference addrlen) throws LastErrorException;

    private static native int getpeername0(int fd, byte[] addr, IntByReference addrlen) throws LastErrorException;

    private static native int ioctl0(int fd, long request, IntByReference arg) throws LastErrorException;

    private static native int fcntl0(int fd, int cmd, int arg) throws LastErrorException;

    private static native int close0(int fd) throws LastErrorException;

    @Override
    public int socket(int domain, int type, int protocol) {
        return socket0(domain, type, protocol);
    }

    @Override
    public int setsockopt(int fd, int level, int optname, byte[] optval, int optlen) {
        return setsockopt0(fd, level, optname, optval, optlen);
    }

    @Override
    public int getsockopt(int fd, int level, int optname, byte[] optval, IntByReference optlen) {
        return getsockopt0(fd, level, optname, optval, optlen);
    }

    @Override
    public int bind(int fd, byte[] addr, int addrlen) {
        return bind0(fd, addr, addrlen);
    }

    @Override
    public int connect(int fd, byte[] addr, int addrlen) {
        return connect0(fd, addr, addrlen);
    }

    @Override
    public int listen(int fd, int backlog) {
        return listen0(fd, backlog);
    }

    @Override
    public int accept(int fd, byte[] addr, IntByReference addrlen) {
        return accept0(fd, addr, addrlen);
    }

    @Override
    public long send(int fd, byte[] buf, long len, int flags) {
        return send0(fd, buf, len, flags);
    }

    @Override
    public long recv(int fd, byte[] buf, long len, int flags) {
        return recv0(fd, buf, len, flags);
    }

    @Override
    public int getsockname(int fd, byte[] addr, IntByReference addrlen) {
        return getsockname0(fd, addr, addrlen);
    }

    @Override
    public int getpeername(int fd, byte[] addr, IntByReference addrlen) {
        return getpeername0(fd, addr, addrlen);
    }

    @Override
    public int ioctl(int fd, long request, IntByReference arg) {
        return ioctl0(fd, request, arg);
    }

    @Override
    public int fcntl(int fd, int cmd, int arg) {
        return fcntl0(fd, cmd, arg);
    }

    @Override
    public int close(int fd) {
        return close0(fd);
    }
}
