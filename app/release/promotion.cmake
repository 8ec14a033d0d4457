# The promotion as a core session (issue #14, item 2): review → approve →
# override → promote, over a narrow PromotionServices interface
# (ClientPromotionServices: the profile's clients and the FactsCollector).
raize_core_library(core_promotion
    SOURCES
        promotionservices.h
        githubreview.cpp githubreview.h
        clientpromotionservices.cpp clientpromotionservices.h
        promotion.cpp promotion.h
        stagingpromotion.cpp stagingpromotion.h
    DEPS core_gates core_gatefacts core_records core_vercel core_github core_flags core_effective)
