// The compiled parts of Asio, Asio SSL and Beast (see CMakeLists.txt for why).
#include <boost/asio/impl/src.hpp>
#include <boost/asio/ssl/impl/src.hpp>
#include <boost/beast/src.hpp>
