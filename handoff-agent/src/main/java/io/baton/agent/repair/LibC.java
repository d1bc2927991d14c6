package io.baton.agent.repair;

import com.sun.jna.LastErrorException;
import com.sun.jna.ptr.IntByReference;

/**
 * The few libc calls TCP repair needs (bound by {@link DirectLibC}; every call records errno in a
 * {@link LastErrorException}). {@code sockaddr} arguments are passed as raw bytes (see
 * {@link TcpRepair#sockaddrIn}). Linux x86-64 only ({@code size_t} and {@code unsigned long}
 * map to Java {@code long}).
 */
public interface LibC {

    int socket(int domain, int type, int protocol) throws LastErrorException;

    int setsockopt(int fd, int level, int optname, byte[] optval, int optlen) throws LastErrorException;

    int getsockopt(int fd, int level, int optname, byte[] optval, IntByReference optlen) throws LastErrorException;

    int bind(int fd, byte[] addr, int addrlen) throws LastErrorException;

    int connect(int fd, byte[] addr, int addrlen) throws LastErrorException;

    int listen(int fd, int backlog) throws LastErrorException;

    int accept(int fd, byte[] addr, IntByReference addrlen) throws LastErrorException;

    long send(int fd, byte[] buf, long len, int flags) throws LastErrorException;

    long recv(int fd, byte[] buf, long len, int flags) throws LastErrorException;

    int getsockname(int fd, byte[] addr, IntByReference addrlen) throws LastErrorException;

    int getpeername(int fd, byte[] addr, IntByReference addrlen) throws LastErrorException;

    int ioctl(int fd, long request, IntByReference arg) throws LastErrorException;

    int fcntl(int fd, int cmd, int arg) throws LastErrorException;

    int close(int fd) throws LastErrorException;
}
